[
  "${toString true}|${toString false}|${toString null}"
  (toString [ true false null ])
]

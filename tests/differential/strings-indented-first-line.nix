[
  ''  first
  second''
  ''first
    second
    third''
]

builtins.sort builtins.lessThan [
  "banana"
  "apple"
  "Cherry"
  ""
  "apple2"
  "b"
]

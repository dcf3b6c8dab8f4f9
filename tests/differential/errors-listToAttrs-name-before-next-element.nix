# An element's name is forced before the next element: the first error wins.
builtins.listToAttrs [
  { name = throw "the first name"; value = 1; }
  (throw "the second element")
]

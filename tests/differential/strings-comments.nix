[
  /* block */ 1
  /**/ 2
  # line comment
  3 /* trailing */
]

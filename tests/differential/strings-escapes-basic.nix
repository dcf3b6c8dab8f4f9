[
  "a\nb"
  "tab\there"
  "cr\rhere"
  "back\\slash"
  "quote\"inside"
]

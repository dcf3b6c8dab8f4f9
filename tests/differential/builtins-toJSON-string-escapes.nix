builtins.toJSON [
  "quote\" backslash\\ newline\n tab\t cr\r"
  "unicode é ✓"
  "dollar \${x}"
  "/slash"
]

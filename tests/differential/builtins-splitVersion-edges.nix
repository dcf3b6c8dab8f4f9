map builtins.splitVersion [
  "1.2.3"
  "1..2"
  "1-2_3.4"
  "1.2pre3"
  "a1b2"
  "..."
  "1.0-rc.1"
  "2024-01-01"
]

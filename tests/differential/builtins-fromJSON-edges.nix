[
  (builtins.fromJSON "-9223372036854775808")
  (builtins.fromJSON "9223372036854775807")
  (builtins.fromJSON "18446744073709551616")
  (builtins.fromJSON "1.0")
  (builtins.fromJSON "-0.0")
  (builtins.fromJSON "1E2")
  (builtins.fromJSON " true ")
  (builtins.fromJSON ''{"a":1,"b":{"a":2}}'')
]

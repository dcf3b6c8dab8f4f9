map builtins.parseDrvName [
  "hello-2.10"
  "hello-world-1.0"
  "hello-world"
  "hello-1-2"
  "foo-bar-baz-0.1pre"
  "-1.0"
  "a-"
  "a--1"
  "python3.10-requests-2.28.1"
  ""
]

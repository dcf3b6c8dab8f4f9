builtins.fromJSON ''
  {
    "a": [1, 2, {"b": null}],
    "c": true,
    "d": false,
    "e": "str",
    "f": {},
    "g": []
  }
''

let
  a = "A";
in
''
    ${a}
  ${a}
''

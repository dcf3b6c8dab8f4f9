let
  inner = ''
    x
      y
  '';
in
''
  start
    ${inner}
  end
''

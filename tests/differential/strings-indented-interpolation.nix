let
  v = "value";
  multi = "line1\nline2";
in
''
  begin
    ${v}
    ${multi}
  end
''

let
  x = throw "never forced";
  y = abort "never forced either";
in
42

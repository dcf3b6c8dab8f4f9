let
  loop = n: acc: if n == 0 then acc else builtins.seq acc (loop (n - 1) (acc + n));
in
loop 2000 0

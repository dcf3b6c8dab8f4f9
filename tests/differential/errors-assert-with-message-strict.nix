let
  f = x: assert x != null; "ok: ${x}";
in
[
  (f "a")
  (f null)
]

[
  (builtins.isFunction { __functor = s: x: x; })
  (builtins.isAttrs { __functor = s: x: x; })
]

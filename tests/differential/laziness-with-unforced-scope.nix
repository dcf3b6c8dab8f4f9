[
  (with throw "scope"; 1)
  (let a = 2; in with abort "scope"; a)
]

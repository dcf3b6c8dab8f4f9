map (a: builtins.hashFile a ./lib/text.txt) [
  "md5"
  "sha1"
  "sha256"
  "sha512"
]

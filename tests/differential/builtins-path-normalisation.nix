[
  (baseNameOf ./lib/../lib/./text.txt)
  (./lib/../lib == ./lib)
  (./lib + "/" == ./lib)
]

builtins.concatLists [ [ [ 1 ] ] [ [ ] 2 ] [ ] [ "a" ] ]

builtins.hashFile "sha3" ./lib/text.txt

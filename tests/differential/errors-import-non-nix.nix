import ./lib/text.txt

map isNull [ null false 0 "" [ ] { } ]

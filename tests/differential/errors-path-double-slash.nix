# A second piece of path text with no interpolation before it: CppNix
# lexes `/a/` and `/b` and its grammar wants `${` after the first.
[ /a//b ]

''
	tabbed
  spaced
''

''

    a

      b
    
    c
''

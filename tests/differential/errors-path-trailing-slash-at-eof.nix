# A trailing slash at the very end of the input (no newline after it).
/a/b/
"""One module per noun: parse the command line, call one service, emit the result."""

; Functions whose bodies may be stubs, and every comment (for `splice:` instructions).
(function_definition) @function
(comment) @comment

; inherits: typescript
; TSX adds JSX element names to the TypeScript patterns.

((jsx_opening_element name: (identifier) @ref) (#match? @ref "^[A-Z]"))
(jsx_opening_element name: (member_expression) @ref)
((jsx_self_closing_element name: (identifier) @ref) (#match? @ref "^[A-Z]"))
(jsx_self_closing_element name: (member_expression) @ref)
(jsx_expression [(identifier) (member_expression)] @ref)

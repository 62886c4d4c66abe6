; inherits: ecma
; JavaScript-only patterns (classes name with `identifier`, plain fields, JSX).

(class_declaration name: (identifier) @name) @definition.class
(field_definition property: [(property_identifier) (private_property_identifier)] @name) @definition.field
(class_heritage [(identifier) (member_expression)] @inherit)

((jsx_opening_element name: (identifier) @ref) (#match? @ref "^[A-Z]"))
(jsx_opening_element name: (member_expression) @ref)
((jsx_self_closing_element name: (identifier) @ref) (#match? @ref "^[A-Z]"))
(jsx_self_closing_element name: (member_expression) @ref)
(jsx_expression [(identifier) (member_expression)] @ref)
(field_definition value: [(identifier) (member_expression)] @ref)
(formal_parameters (identifier) @local)
(field_definition value: [(new_expression) (call_expression) (identifier) (member_expression)]) @assign

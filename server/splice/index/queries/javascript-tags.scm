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

; CommonJS: `exports.name = …` defines `name`; `module.exports = Name` makes Name the module's default
((program (expression_statement (assignment_expression
   left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)
   right: [(function_expression) (arrow_function) (generator_function)]) @definition.function))
 (#eq? @_exports "exports"))
((program (expression_statement (assignment_expression
   left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)) @definition.value))
 (#eq? @_exports "exports"))
((assignment_expression
   left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
   right: [(identifier) (member_expression)]) @assign
 (#eq? @_module "module")
 (#eq? @_exports "exports"))

; inherits: ecma
; TypeScript patterns (TSX inherits these and adds JSX).

; ---- definitions -------------------------------------------------------------------------------------------
(class_declaration name: (type_identifier) @name) @definition.class
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: [(identifier) (nested_identifier)] @name) @definition.namespace
(function_signature name: (identifier) @name) @definition.function
(method_signature name: (property_identifier) @name) @definition.function
(abstract_method_signature name: (property_identifier) @name) @definition.function
(public_field_definition name: [(property_identifier) (private_property_identifier)] @name) @definition.field
(interface_body (property_signature name: (property_identifier) @name) @definition.field)

; ---- uses ---------------------------------------------------------------------------------------------------
(extends_clause value: [(identifier) (member_expression)] @inherit)
(implements_clause [(type_identifier) (nested_type_identifier) (generic_type)] @inherit)
(extends_type_clause type: [(type_identifier) (nested_type_identifier) (generic_type)] @inherit)

(type_annotation [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(type_arguments [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(type_alias_declaration value: [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(union_type [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(intersection_type [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(array_type [(type_identifier) (nested_type_identifier) (generic_type)] @ref)
(public_field_definition value: [(identifier) (member_expression)] @ref)
(as_expression [(type_identifier) (nested_type_identifier) (generic_type)] @ref)

; ---- names bound inside a function ------------------------------------------------------------------------
(required_parameter pattern: (identifier) @local)
(optional_parameter pattern: (identifier) @local)
(public_field_definition value: [(new_expression) (call_expression) (identifier) (member_expression)]) @assign

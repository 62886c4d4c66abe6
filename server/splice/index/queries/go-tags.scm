; Splice extraction query for Go (capture names: see index/extract.py).

; ---- definitions -------------------------------------------------------------------------------------------
(function_declaration name: (identifier) @name) @definition.function
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @receiver
             (pointer_type (type_identifier) @receiver)
             (generic_type type: (type_identifier) @receiver)
             (pointer_type (generic_type type: (type_identifier) @receiver))]))
  name: (field_identifier) @name) @definition.function

(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
(field_declaration_list (field_declaration name: (field_identifier) @name) @definition.field)
(interface_type (method_elem name: (field_identifier) @name) @definition.function)

(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @definition.variable)))

; ---- uses ---------------------------------------------------------------------------------------------------
(call_expression function: [(identifier) (selector_expression)] @call)

; embedded struct fields and embedded interfaces
(field_declaration_list (field_declaration !name type: [(type_identifier) (qualified_type)] @inherit))
(field_declaration_list (field_declaration !name type: (pointer_type [(type_identifier) (qualified_type)] @inherit)))
(interface_type (type_elem [(type_identifier) (qualified_type)] @inherit))

(argument_list [(identifier) (selector_expression)] @ref)
(expression_list [(identifier) (selector_expression)] @ref)
(binary_expression [(identifier) (selector_expression)] @ref)
(unary_expression operand: [(identifier) (selector_expression)] @ref)
(keyed_element value: (literal_element [(identifier) (selector_expression)] @ref))
(literal_value (literal_element [(identifier) (selector_expression)] @ref))
(index_expression operand: [(identifier) (selector_expression)] @ref)
(composite_literal type: [(type_identifier) (qualified_type)] @ref)
(parameter_declaration type: [(type_identifier) (qualified_type)] @ref)
(field_declaration name: (_) type: [(type_identifier) (qualified_type)] @ref)
(var_spec type: [(type_identifier) (qualified_type)] @ref)
(pointer_type [(type_identifier) (qualified_type)] @ref)
(slice_type element: [(type_identifier) (qualified_type)] @ref)
(map_type value: [(type_identifier) (qualified_type)] @ref)
(type_arguments (type_elem [(type_identifier) (qualified_type)] @ref))
(function_declaration result: [(type_identifier) (qualified_type)] @ref)
(method_declaration result: [(type_identifier) (qualified_type)] @ref)
(type_spec type: [(type_identifier) (qualified_type)] @ref)

; ---- names bound inside a function ------------------------------------------------------------------------
(parameter_declaration name: (identifier) @local)
(variadic_parameter_declaration name: (identifier) @local)
(short_var_declaration left: (expression_list (identifier) @local))
(var_spec name: (identifier) @local)
(range_clause left: (expression_list (identifier) @local))

; ---- imports and assignments ------------------------------------------------------------------------------
(import_spec) @import
(short_var_declaration
  left: (expression_list . (identifier))
  right: (expression_list . [(call_expression) (composite_literal) (unary_expression) (identifier) (selector_expression)])) @assign
(assignment_statement
  left: (expression_list . [(identifier) (selector_expression)])
  right: (expression_list . [(call_expression) (composite_literal) (unary_expression) (identifier) (selector_expression)])) @assign

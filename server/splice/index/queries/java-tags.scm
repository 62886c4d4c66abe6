; Splice extraction query for Java (capture names: see index/extract.py).

; ---- definitions -------------------------------------------------------------------------------------------
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(method_declaration name: (identifier) @name) @definition.function
(constructor_declaration name: (identifier) @name) @definition.function
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.field
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.constant
(enum_body (enum_constant name: (identifier) @name) @definition.constant)

; ---- uses ---------------------------------------------------------------------------------------------------
(method_invocation) @call
(object_creation_expression type: [(type_identifier) (scoped_type_identifier) (generic_type)] @call)

(superclass [(type_identifier) (scoped_type_identifier) (generic_type)] @inherit)
(super_interfaces (type_list [(type_identifier) (scoped_type_identifier) (generic_type)] @inherit))
(extends_interfaces (type_list [(type_identifier) (scoped_type_identifier) (generic_type)] @inherit))

(argument_list [(identifier) (field_access)] @ref)
(assignment_expression right: [(identifier) (field_access)] @ref)
(variable_declarator value: [(identifier) (field_access)] @ref)
(return_statement [(identifier) (field_access)] @ref)
(binary_expression [(identifier) (field_access)] @ref)
(array_access array: [(identifier) (field_access)] @ref)
(marker_annotation name: [(identifier) (scoped_identifier)] @ref)
(annotation name: [(identifier) (scoped_identifier)] @ref)
(formal_parameter type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(field_declaration type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(local_variable_declaration type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(method_declaration type: [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(type_arguments [(type_identifier) (scoped_type_identifier) (generic_type)] @ref)
(throws [(type_identifier) (scoped_type_identifier)] @ref)
(catch_type [(type_identifier) (scoped_type_identifier)] @ref)

; ---- names bound inside a method ---------------------------------------------------------------------------
(formal_parameter name: (identifier) @local)
(catch_formal_parameter name: (identifier) @local)
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))
(enhanced_for_statement name: (identifier) @local)
(lambda_expression parameters: (identifier) @local)
(inferred_parameters (identifier) @local)

; ---- imports and assignments ------------------------------------------------------------------------------
(import_declaration) @import
(local_variable_declaration
  declarator: (variable_declarator
    name: (identifier)
    value: [(object_creation_expression) (method_invocation) (identifier) (field_access)]) @assign)
(field_declaration
  declarator: (variable_declarator
    name: (identifier)
    value: [(object_creation_expression) (method_invocation) (identifier) (field_access)]) @assign)
(assignment_expression
  left: [(identifier) (field_access)]
  right: [(object_creation_expression) (method_invocation) (identifier) (field_access)]) @assign

; Splice extraction query for Ruby: definitions, superclasses, calls.
(class name: [(constant) (scope_resolution name: (_))] @name) @definition.class
(module name: [(constant) (scope_resolution name: (_))] @name) @definition.namespace
(method name: (_) @name) @definition.function
(singleton_method name: (_) @name) @definition.function
(program (assignment left: (constant) @name) @definition.constant)
(body_statement (assignment left: (constant) @name) @definition.constant)
(superclass [(constant) (scope_resolution)] @inherit)
(call method: (identifier) @call)

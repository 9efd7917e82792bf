"""Reading z3 terms through z3's C library directly.

z3's Python bindings (`z3.z3core`) read the context's error code after every call. These reads of a
live term cannot fail, and the walks over terms (`regex.from_z3`, `solve._atoms`, `solve._domains`)
make thousands of them per proof: called directly, they cost about half as much. Same names and
arguments as z3core's.
"""

from z3 import z3core as _core


def _direct(wrapper):
    """The C function a z3core wrapper calls (z3core keeps it as the `f` of the wrapper's last default
    argument); the wrapper itself where a z3 version keeps it otherwise."""
    return getattr((wrapper.__defaults__ or (None,))[-1], "f", wrapper)


Z3_get_ast_id = _direct(_core.Z3_get_ast_id)
Z3_get_ast_kind = _direct(_core.Z3_get_ast_kind)
Z3_get_app_decl = _direct(_core.Z3_get_app_decl)
Z3_get_app_arg = _direct(_core.Z3_get_app_arg)
Z3_get_app_num_args = _direct(_core.Z3_get_app_num_args)
Z3_get_decl_kind = _direct(_core.Z3_get_decl_kind)
Z3_get_decl_num_parameters = _direct(_core.Z3_get_decl_num_parameters)
Z3_get_decl_int_parameter = _direct(_core.Z3_get_decl_int_parameter)
Z3_get_sort = _direct(_core.Z3_get_sort)
Z3_get_sort_kind = _direct(_core.Z3_get_sort_kind)
Z3_is_string = _direct(_core.Z3_is_string)
Z3_get_string_length = _direct(_core.Z3_get_string_length)
Z3_get_string_contents = _direct(_core.Z3_get_string_contents)
Z3_get_bool_value = _direct(_core.Z3_get_bool_value)

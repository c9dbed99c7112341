/* valtype.c - the text names of value types, shared by every layer. */
#include "weld/module.h"

const char *weld_valtype_name(weld_valtype t)
{
    switch (t) {
    case WELD_I32: return "i32";
    case WELD_I64: return "i64";
    case WELD_F32: return "f32";
    case WELD_F64: return "f64";
    case WELD_V128: return "v128";
    case WELD_FUNCREF: return "funcref";
    case WELD_EXTERNREF: return "externref";
    case WELD_EXNREF: return "exnref";
    default: return "?";
    }
}

/* calendar module: implementation pending (see its header). */
#include "internal.h"

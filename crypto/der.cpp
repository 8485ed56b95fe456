#include "crypto/der.h"

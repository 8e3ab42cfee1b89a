// The emulated fp16 type lives in the emulator's device dialect (cuemu/device.h, force-included).
#pragma once
#include "cuemu/device.h"

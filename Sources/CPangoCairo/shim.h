// Pango (text layout, with Cyrillic shaping and wrapping) on cairo's PDF surface: the system
// libraries Classbook prints with (libpango1.0-dev, installed by commands/setup).
#include <pango/pangocairo.h>
#include <cairo/cairo-pdf.h>

# Driver for test_drivers.py: SSD1306 (I2C) and ST7789 (SPI) drivers against bus-decoding models.
import json

import framebuf
from sim_i2c import SimI2C
from sim_ssd1306 import SimSSD1306
from sim_st7789 import SimST7789

from fascia.drivers.ssd1306 import SSD1306
from fascia.drivers.st7789 import ST7789, color565


def out(name, value):
    print(json.dumps([name, value]))


def draw(fb):
    fb.fill(0)
    fb.text("123 JUMPS", 2, 3, 1)
    fb.rect(0, 0, fb.width, fb.height, 1)
    fb.fill_rect(10, 30, 7, 5, 1)


def lit(fb):
    return sum(fb.pixel(x, y) for y in range(fb.height) for x in range(fb.width))


# SSD1306: the RAM decoded from the I2C stream equals the driver's framebuffer
panel = SimSSD1306()
oled = SSD1306(SimI2C({0x3C: panel}))
out(
    "oled_init",
    [panel.on, panel.mode, panel.seg_remap, panel.com_flip, panel.mux, bytes(panel.ram) == bytes(1024)],
)
draw(oled)
oled.show()
ref = framebuf.FrameBuffer(bytearray(1024), 128, 64, framebuf.MONO_VLSB)
ref.text("123 JUMPS", 2, 3, 1)
text_px = [(x, y) for y in range(3, 11) for x in range(2, 74) if ref.pixel(x, y)]
shown = sum(panel.pixel(x, y) for x, y in text_px)
out("oled_frame", [panel.frame() == bytes(oled.buffer), lit(oled), len(text_px), shown])
oled.contrast(0x40)
oled.invert(True)
oled.poweron(False)
out("oled_state", [panel.contrast, panel.inverted, panel.on])

# ST7789: every glass pixel shows fg where the 1-bit frame is set, bg elsewhere, in both orientations
FG, BG = color565(255, 200, 0), color565(0, 0, 64)
for rotation in (0, 1):
    lcd = SimST7789()
    tft = ST7789(lcd.spi, lcd.dc, lcd.cs, lcd.rst, rotation=rotation, fg=FG, bg=BG)
    draw(tft)
    tft.show()
    bad = 0
    for y in range(tft.height):
        for x in range(tft.width):
            # the user turns the device a quarter turn for rotation 1: logical (x, y) -> glass (134 - y, x)
            gx, gy = (134 - y, x) if rotation else (x, y)
            want = FG if tft.pixel(x, y) else BG
            bad += lcd.pixel(gx, gy) != want
    state = [lcd.display_on, lcd.sleeping, lcd.colmod, lcd.inverted, lcd.madctl]
    out("tft", [rotation, tft.width, tft.height, bad, lit(tft), len(tft.buffer), state])

# writes while CS is high are not for this chip and must not change the frame
lcd = SimST7789()
tft = ST7789(lcd.spi, lcd.dc, lcd.cs, lcd.rst)
before = bytes(lcd.frame)
lcd.spi.write(b"\x2c\xff\xff")
out("tft_cs", bytes(lcd.frame) == before)

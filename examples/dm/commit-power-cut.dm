# A power cut at every device write and flush of one dm-cache commit.
# The fixed commit (its blocks, a flush, then the superblock and a flush)
# survives every cut: after the restart the metadata is the last
# acknowledged transaction or the one in flight. With the superblock
# written among its blocks under one flush (--variant buggy, or
# --fix dm-cache-superblock-last=off) a cut can keep the superblock and
# lose the mapping block it points at.
disk md 128
disk cd 32
disk od 256
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
write c 0 8 0x11
flush c            # transaction 1 is durable, and so is the block
write c 8 8 0x22   # a second promotion ...
flush /dev/cd      # ... whose data is durable; its mapping is not
arm-crash
flush c            # transaction 2: the power may go at any write or flush
crash
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
verify c 0 8 0x11
read c 8 8
remove c

"""Checks of beyond/interrupts' exercise (see its README.md): how many
times the hypervisor raised the guest's external interrupt."""

import re

from solutions import solution
from test_final import Shell, exit_table

BOOT_TIMEOUT = 60
RAISED = re.compile(r"\[hypervisor\] guest interrupts raised: (\d+)\n")
TTYS0 = re.compile(r"^ *\d+: +(\d+) +SiFive PLIC +10 .*ttyS0$", re.MULTILINE)


@solution("beyond/interrupts", 1, interactive=True)
def counts_the_interrupts_raised_for_the_guest(qemu, stage):
    machine = qemu.start(stage.build(), timeout=BOOT_TIMEOUT)
    shell = Shell(machine)
    assert shell.run("echo hi") == "hi"
    taken = int(TTYS0.search(shell.run("cat /proc/interrupts")).group(1))
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    found = RAISED.search(machine.output)
    assert found, "no line with the count of interrupts raised"
    raised = int(found.group(1))
    # Each one the guest took, and the UART also raises it when there is
    # room to send: more than the keys' interrupts that reached us.
    assert raised >= taken > 0
    assert raised > exit_table(machine.output)["keys"]

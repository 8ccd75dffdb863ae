#!/usr/bin/env python3
"""moto's AWS emulator on a free loopback port, with the patches .ci/e2e-aws.sh needs (see .ci/README.md, "aws against moto").

usage: moto_server.py PORT_FILE AMIS_JSON

Listens on 127.0.0.1 only, on a port the kernel picks; writes the port to PORT_FILE once it
accepts connections. AMIS_JSON (MOTO_AMIS_PATH) lists the images the emulator offers: the test
registers a Canonical Ubuntu 24.04 image there, which moto does not ship.

Each patch below only makes moto record what real EC2 records for a call the AWS provider makes;
none of them accepts anything real EC2 would refuse.
  1. MonitorInstances / UnmonitorInstances: moto raises NotImplementedError (HTTP 500); the provider
     calls it for `monitoring = true`. Patched: set the instance's monitoring state and answer as EC2.
  2. ModifyInstanceAttribute with InstanceInitiatedShutdownBehavior: moto has no handler for it and
     falls through to the security-group handler, which sets the instance's groups to the (empty)
     list it finds: the instance loses its security group. Patched: record the behaviour (stop or
     terminate, anything else refused as EC2 does) and leave the groups alone.
"""

import json
import os
import sys


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    port_file, amis = argv
    os.environ["MOTO_AMIS_PATH"] = amis  # read when moto's EC2 models are imported
    from moto.core.responses import ActionResult, EmptyResult
    from moto.ec2.exceptions import InvalidParameterValueError
    from moto.ec2.responses.instances import InstanceResponse
    from moto.ec2.responses.monitoring import Monitoring
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    def set_monitoring(self, state):
        self.error_on_dryrun()
        monitorings = []
        for instance in self.ec2_backend.get_multi_instances_by_id(self._get_param("InstanceIds", [])):
            instance.monitoring_state = state
            monitorings.append({"InstanceId": instance.id, "Monitoring": {"State": state}})
        return ActionResult({"InstanceMonitorings": monitorings})

    Monitoring.monitor_instances = lambda self: set_monitoring(self, "enabled")
    Monitoring.unmonitor_instances = lambda self: set_monitoring(self, "disabled")

    original = InstanceResponse.modify_instance_attribute

    def modify_instance_attribute(self):
        value = self._get_param("InstanceInitiatedShutdownBehavior.Value")
        if value is None:
            nested = self._get_param("InstanceInitiatedShutdownBehavior")
            value = nested.get("Value") if isinstance(nested, dict) else None
        if value is None:
            return original(self)
        self.error_on_dryrun()
        if value not in ("stop", "terminate"):
            raise InvalidParameterValueError(value)
        instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
        instance.instance_initiated_shutdown_behavior = value
        return EmptyResult()

    InstanceResponse.modify_instance_attribute = modify_instance_attribute

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with open(port_file + ".new", "w") as f:
        f.write(str(server.server_port))
    os.replace(port_file + ".new", port_file)
    print(json.dumps({"listening": f"127.0.0.1:{server.server_port}"}), flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

// The crash tests start real worker processes and time leases in seconds; run one class at a time so that they do
// not starve each other's heartbeats on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

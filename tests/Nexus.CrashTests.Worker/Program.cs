// A Nexus worker process for the crash tests (tests/Nexus.CrashTests), which start it as `dotnet Nexus.CrashTests.Worker.dll
// --store postgres --connection ... --node w-a --history DIR ...` (see WorkerSettings), kill -9 it, freeze it with SIGSTOP,
// or stop it gracefully by closing its standard input. Protocol on standard output: one "nexus-worker: ready" line once
// the engine runs, "nexus-worker: stopped" after a graceful stop. Logs go to standard error.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus;
using Nexus.CrashTests.Worker;
using Nexus.Hosting;

var settings = WorkerSettings.Parse(args);
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders()
    .AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    })
    .AddFilter("Microsoft", LogLevel.Warning)
    .SetMinimumLevel(LogLevel.Information);
builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Shutdown + TimeSpan.FromSeconds(10));

using var history = new HistoryWriter(settings.History, settings.Node);
builder.Services.AddSingleton(history);
builder.Services.AddSingleton(new CrashBehaviour(settings.Gate, settings.GateAttempt));
builder.Services.AddNexus(nexus =>
{
    if (settings.Store == "postgres") nexus.UsePostgres(settings.Connection, o => o.Schema = settings.Schema);
    else nexus.UseSqlite(settings.Connection);
    nexus.AddPlugin<CrashWorkPlugin>().Configure(o =>
    {
        o.NodeId = settings.Node;
        o.Concurrency = settings.Concurrency;
        o.ClaimBatchSize = settings.ClaimBatch;
        o.LeaseDuration = settings.Lease;
        o.HeartbeatInterval = settings.Heartbeat;
        o.RescueInterval = settings.Rescue;
        o.PollInterval = settings.Poll;
        o.ShutdownTimeout = settings.Shutdown;
        o.SchedulerInterval = settings.Scheduler;
        o.Queues = settings.Queues?.ToList();
    });
});

using var host = builder.Build();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
// The test holds our standard input open; when it closes it (or dies, however it dies) we stop, so no worker outlives it.
_ = Task.Run(async () =>
{
    await using var stdin = Console.OpenStandardInput();
    var buffer = new byte[256];
    while (await stdin.ReadAsync(buffer) > 0)
    {
    }
    lifetime.StopApplication();
});

await host.StartAsync();
Console.Out.WriteLine($"nexus-worker: ready {Environment.ProcessId}");
Console.Out.Flush();
await host.WaitForShutdownAsync();
Console.Out.WriteLine("nexus-worker: stopped");
Console.Out.Flush();

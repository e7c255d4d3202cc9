using Microsoft.Extensions.Options;
using Nexus;
using Nexus.Server;

try
{
    var app = NexusServer.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or OptionsValidationException or StoreException)
{
    // A configuration or store problem at start: say what it is, without a stack trace.
    await Console.Error.WriteLineAsync($"Nexus server could not start: {ex.Message}");
    return 2;
}

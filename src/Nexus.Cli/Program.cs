// nexus: the Nexus command line. See docs/cli.md; exit codes in ExitCodes.
return await Nexus.Cli.CliApp.RunAsync(args);

using Loire.Cli;
using Loire.Cli.Infrastructure;

return await LoireCli.RunAsync(args, CliConsole.FromProcess());

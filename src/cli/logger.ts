import winston from 'winston';

/**
 * The one winston root. Logs go to stderr (stdout carries command output): JSON when stderr is not
 * a terminal, a short human form when it is. Components take `logger.child({ component })`.
 */
export function createLogger(level: string, json = !process.stderr.isTTY): winston.Logger {
  const human = winston.format.printf((info) => {
    const { level: lvl, message, component, ...rest } = info;
    const fields = Object.entries(rest)
      .filter(([k]) => typeof k === 'string' && k !== 'timestamp')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const where = typeof component === 'string' ? `[${component}] ` : '';
    return `${lvl}: ${where}${String(message)}${fields ? ` ${fields}` : ''}`;
  });
  return winston.createLogger({
    level,
    format: json ? winston.format.combine(winston.format.timestamp(), winston.format.json()) : human,
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });
}

/** kube-proxy's --v verbosity mapped onto winston levels. */
export function levelForVerbosity(v: number): string {
  if (v >= 4) return 'debug';
  if (v >= 2) return 'verbose';
  return 'info';
}

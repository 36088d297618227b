export * from './apps.module.js';
export * from './app-lines.js';
export * from './app.mapper.js';
export { AppActionDto, AppDeviceDto, AppInteractionDto } from './dto/app.dto.js';

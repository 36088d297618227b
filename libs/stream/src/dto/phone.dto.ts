import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CLIENT_ID_MESSAGE = 'must be 1-64 characters of letters, digits, ".", "-" or "_"';

export class PhoneLocationDto {
  @ApiProperty({ example: 37.7749, minimum: -90, maximum: 90 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  latitude: number;

  @ApiProperty({ example: -122.4194, minimum: -180, maximum: 180 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  longitude: number;

  @ApiPropertyOptional({ example: 50, minimum: 0, maximum: 100000, description: 'Horizontal accuracy (m)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  accuracy?: number;
}

export class PhoneLocationBodyDto {
  @ApiProperty({ example: 'desktop-client', description: 'The registered device the location is about' })
  @IsString()
  @Matches(CLIENT_ID, { message: `client_id ${CLIENT_ID_MESSAGE}` })
  client_id: string;

  @ApiProperty({ type: PhoneLocationDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PhoneLocationDto)
  location: PhoneLocationDto;
}

export class PhoneRssiBodyDto {
  @ApiProperty({ example: 'iphone', description: 'The phone that measured the signal' })
  @IsString()
  @Matches(CLIENT_ID, { message: `phone_client_id ${CLIENT_ID_MESSAGE}` })
  phone_client_id: string;

  @ApiProperty({ example: 'desktop-client', description: 'The registered device whose signal was measured' })
  @IsString()
  @Matches(CLIENT_ID, { message: `target_client_id ${CLIENT_ID_MESSAGE}` })
  target_client_id: string;

  @ApiProperty({ example: -45.5, minimum: -150, maximum: 0, description: 'dBm' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-150)
  @Max(0)
  rssi: number;
}

export class PhoneLocationUpdatedDto {
  @ApiProperty({ example: 'Phone location updated successfully for desktop-client' })
  message: string;

  @ApiProperty({ example: 'desktop-client' })
  client_id: string;

  @ApiProperty({ type: PhoneLocationDto })
  location: { latitude: number; longitude: number; accuracy: number | null };

  @ApiProperty({ example: 81.5, description: 'Resulting location component 0–100' })
  location_score: number;
}

export class PhoneRssiUpdatedDto {
  @ApiProperty({ example: 'RSSI updated successfully from iphone to desktop-client' })
  message: string;

  @ApiProperty({ example: -45.5 })
  rssi: number;

  @ApiProperty({ example: 'iphone' })
  phone_client_id: string;

  @ApiProperty({ example: 'desktop-client' })
  target_client_id: string;

  @ApiProperty({ example: 74.2, description: 'Resulting RSSI component 0–100' })
  rssi_score: number;
}
